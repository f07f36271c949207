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
