// Runs in the page (layout-audit.ts reads this file and evaluates it): plain JavaScript, no module.
// Returns { overflow, cutTables, overlaps, han } for the page as the browser laid it out.
({ english, allowedHan, fitTables }) => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const describe = (el) => {
    const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 60);
    const cls = typeof el.className === 'string' && el.className ? `.${el.className.split(' ').join('.')}` : '';
    return `<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${cls}> "${text}"`;
  };
  const scrollsItself = (el) => {
    for (let e = el; e && e !== root; e = e.parentElement) {
      const o = getComputedStyle(e).overflowX;
      if (o === 'auto' || o === 'scroll') return true;
    }
    return false;
  };

  const overflow = [];
  if (root.scrollWidth > width) {
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.right <= width + 0.5) continue;
      if (scrollsItself(el.parentElement)) continue;
      // Report the outermost element that sticks out, not each of its children.
      const parent = el.parentElement;
      if (parent && parent !== document.body && parent.getBoundingClientRect().right > width + 0.5) continue;
      overflow.push(`${Math.round(box.right)}px > ${width}px: ${describe(el)}`);
    }
    if (overflow.length === 0) overflow.push(`document ${root.scrollWidth}px > ${width}px`);
  }

  // A table scrolls inside its wrapper; at a laptop's width (`fitTables`) only a list marked wide may need to.
  const cutTables = [];
  if (fitTables)
    for (const wrap of Array.from(document.querySelectorAll('.table-wrap:not(.wide)')))
      if (wrap.scrollWidth > wrap.clientWidth + 1)
        cutTables.push(
          `${wrap.scrollWidth}px in ${wrap.clientWidth}px: ${describe(wrap.querySelector('caption') ?? wrap)}`,
        );

  const overlaps = [];
  for (const chart of Array.from(document.querySelectorAll('figure'))) {
    const boxes = Array.from(chart.querySelectorAll('svg text, .chart-legend li'))
      .map((el) => ({ el, box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.width > 0 && box.height > 0);
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].box;
        const b = boxes[j].box;
        const dx = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const dy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (dx > 1 && dy > 1)
          overlaps.push(`${describe(boxes[i].el)} overlaps ${describe(boxes[j].el)} (${describe(chart)})`);
      }
  }

  const han = [];
  if (english) {
    const names = [...allowedHan].sort((a, b) => b.length - a.length);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || !/\p{Script=Han}/u.test(node.textContent ?? '')) continue;
      if (parent.closest('script, style, template')) continue;
      if (!parent.closest('select') && !parent.checkVisibility({ visibilityProperty: true })) continue;
      if (/^zh/.test(parent.closest('[lang]')?.getAttribute('lang') ?? '')) continue;
      let rest = node.textContent ?? '';
      for (const name of names) if (rest.includes(name)) rest = rest.split(name).join(' ');
      if (/\p{Script=Han}/u.test(rest)) han.push(`${describe(parent)}: "${rest.trim().slice(0, 80)}"`);
    }
  }
  return { overflow, cutTables, overlaps, han };
};
