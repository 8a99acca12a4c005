// Keyboard steps along a chart's bars: Left and Right (Home and End) move the focus from bar to
// bar inside `svg`. In JavaScript because reading a key in Rust compiles the whole table of key
// names into the module.
export function stepThroughBars(svg) {
  svg.addEventListener("keydown", (event) => {
    const bars = [...svg.querySelectorAll(".bar")];
    const at = bars.indexOf(document.activeElement);
    const last = bars.length - 1;
    const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: last }[event.key];
    if (next === undefined || bars.length === 0) return;
    event.preventDefault();
    bars[Math.max(0, Math.min(last, next))].focus();
  });
}
