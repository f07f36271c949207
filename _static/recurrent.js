// Recurrent: tap (or click) a figure to open its image at full size in a new tab.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("div.cell_output img, figure img").forEach((img) => {
    if (img.closest("a")) return;
    const link = document.createElement("a");
    link.href = img.currentSrc || img.src;
    link.target = "_blank";
    link.rel = "noopener";
    link.title = "Open the figure at full size";
    img.replaceWith(link);
    link.appendChild(img);
  });
});

// A solution's title ends in a link to its exercise. A tap on the title, link included, opens
// or closes the solution (as a tap on its chevron does) instead of jumping to the exercise.
document.addEventListener("click", (event) => {
  const link = event.target.closest("div.solution.dropdown > .admonition-title a");
  if (!link) return;
  const button = link.closest("div.solution.dropdown").querySelector("button.toggle-button");
  if (!button) return;
  event.preventDefault();
  event.stopPropagation();
  button.click();
}, true);

// A code block wider than the column scrolls sideways; a keyboard user scrolls it once it has
// focus (WCAG 2.1.1). The theme gives focus only to blocks that overflow when the page loads;
// a block in a closed dropdown, or one that widens later, is checked again whenever its size
// changes.
const focusIfScrollable = (pre) => {
  if (pre.scrollWidth > pre.clientWidth) pre.tabIndex = 0;
};
const resized = new ResizeObserver((entries) => entries.forEach((e) => focusIfScrollable(e.target)));
window.addEventListener("load", () => setTimeout(() => {
  document.querySelectorAll("div.highlight pre").forEach((pre) => {
    focusIfScrollable(pre);
    resized.observe(pre);
  });
}, 0));

// The download menu's ".pdf" printed the current page (window.print). The book has a real PDF
// of every chapter (make pdf writes recurrent.pdf next to index.html): link to it instead.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector("button.btn-download-pdf-button");
  if (!button) return;
  const link = document.createElement("a");
  link.href = (document.documentElement.dataset.content_root || "") + "recurrent.pdf";
  link.className = button.className;
  link.title = "The whole book as one PDF";
  link.innerHTML = button.innerHTML;
  const label = link.querySelector(".btn__text-container");
  if (label) label.textContent = "book .pdf";
  button.replaceWith(link);
});

// "Live code" loads Thebe from a CDN and starts a kernel on mybinder.org. Offline that script
// fails to load and the button would say "Loading thebe from CDN..." for ever: say what it needs.
const LIVE_CODE_OFFLINE = "Live code needs a network connection (it runs on mybinder.org)";
new MutationObserver((mutations) => {
  mutations.forEach((m) => m.addedNodes.forEach((node) => {
    if (node.tagName !== "SCRIPT" || !/thebe/i.test(node.src || "") || node.dataset.watched) return;
    node.dataset.watched = "1";
    node.addEventListener("error", () => {
      document.querySelectorAll(".thebe-launch-button").forEach((b) => { b.innerText = LIVE_CODE_OFFLINE; });
    });
  }));
}).observe(document.head, { childList: true });
