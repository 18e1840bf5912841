// Measures a handout as a reader's browser lays it out. The browser test appends it to a
// copy of the page, opens that copy in a frame of the reader's width (headless Chromium's
// window is at least 500 px wide), and reads the JSON report the frame posts to its host.
window.addEventListener('load', () => {
  const visible = (element) => {
    const style = getComputedStyle(element);
    return style.display !== 'none' && style.visibility !== 'hidden' && element.getClientRects().length > 0;
  };
  const report = {
    width: innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
    height: Math.ceil(document.documentElement.scrollHeight),
    figures: 0, labels: 0, smallest: null, small: [], overlaps: [], uncued: [],
  };
  for (const svg of document.querySelectorAll('figure svg')) {
    report.figures += 1;
    const figure = svg.closest('figure').id || '(figure without id)';
    const boxes = [];
    for (const text of svg.querySelectorAll('text')) {
      const words = text.textContent.trim();
      if (!words || !visible(text)) continue;
      const matrix = text.getScreenCTM();
      const scale = matrix ? Math.hypot(matrix.a, matrix.b) : 1;
      const size = parseFloat(getComputedStyle(text).fontSize) * scale;
      const box = text.getBoundingClientRect();
      boxes.push({words, size, left: box.left, right: box.right, top: box.top, bottom: box.bottom});
      report.labels += 1;
      if (report.smallest === null || size < report.smallest) report.smallest = size;
      if (size < 8) report.small.push(`${figure}: "${words}" is ${size.toFixed(1)} px`);
    }
    // Two labels overlap when their ink boxes share more than a sliver: a glyph box is
    // taller than its ink, so lines of a stacked label may touch by a pixel or two.
    for (let a = 0; a < boxes.length; a++) {
      for (let b = a + 1; b < boxes.length; b++) {
        const p = boxes[a], q = boxes[b];
        const across = Math.min(p.right, q.right) - Math.max(p.left, q.left);
        const down = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
        const lower = Math.min(p.bottom - p.top, q.bottom - q.top);
        if (across > 1 && down > Math.max(2, lower * 0.25)) {
          report.overlaps.push(`${figure}: "${p.words}" and "${q.words}"`);
        }
      }
    }
  }
  // A legend's entries stay inside its box.
  report.legends = [];
  for (const legend of document.querySelectorAll('figure svg g.legend')) {
    const box = legend.querySelector('rect').getBoundingClientRect();
    for (const text of legend.querySelectorAll('text')) {
      const r = text.getBoundingClientRect();
      if (r.left < box.left - 0.5 || r.right > box.right + 0.5) {
        report.legends.push(`${legend.closest('figure').id}: "${text.textContent}" leaves its legend`);
      }
    }
  }
  // A box that scrolls sideways shows a cue: a shadow at the edge that hides content.
  for (const box of document.querySelectorAll('.table-wrap, .katex-display, .figure-scroll, pre')) {
    if (!visible(box) || box.scrollWidth <= box.clientWidth + 1) continue;
    const style = getComputedStyle(box);
    const scrolls = style.overflowX === 'auto' || style.overflowX === 'scroll';
    const cued = style.backgroundImage !== 'none' || box.closest('.scroll-cue') !== null;
    if (!scrolls || !cued) {
      report.uncued.push(`${box.className || box.tagName}: ${box.textContent.trim().slice(0, 40)}`);
    }
  }
  parent.postMessage(JSON.stringify(report), '*');
});
