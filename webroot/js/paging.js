// Long folders page in as the sentinel under the table comes near the viewport (IntersectionObserver).
// After each page the sentinel may still be in view (short pages, or a filter hiding most rows): then
// the next page follows at once. A failed page stops the paging until the person retries.

const MARGIN = 600;

export function wirePaging(sentinel, listing, onError) {
  const next = () => {
    if (!listing.pageFailed) listing.more().catch(onError);
  };
  new IntersectionObserver((seen) => {
    if (seen.some((s) => s.isIntersecting)) next();
  }, { rootMargin: `${MARGIN}px 0px` }).observe(sentinel);

  /** Call after every redraw. */
  return function keepPaging() {
    if (!listing.loaded || listing.loading || !listing.hasMore || listing.pageFailed) return;
    requestAnimationFrame(() => {
      const r = sentinel.getBoundingClientRect();
      if (r.top < window.innerHeight + MARGIN && r.bottom > -MARGIN) next();
    });
  };
}
