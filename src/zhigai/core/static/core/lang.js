// The language switch returns to the page as it is now: filters that htmx put into the address after the
// page was rendered are in location, not in the `next` the server wrote into the form.
document.addEventListener("submit", function (e) {
  var form = e.target;
  if (!form.matches || !form.matches("form.lang")) return;
  form.elements.next.value = window.location.pathname + window.location.search;
});
