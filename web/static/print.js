// The report's "Print or save as PDF" button (a same-origin script: the CSP allows no inline one).
document.addEventListener('DOMContentLoaded', () => {
  const button = document.getElementById('print');
  if (button) button.addEventListener('click', () => window.print());
});
