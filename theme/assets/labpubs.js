// labpubs: filters of the publications page, and the state of the Abstract/BibTeX toggles for
// screen readers. Plain JavaScript, no framework, nothing fetched.
// The state lives in the URL (?topic=long-context&member=yingfa-chen&q=mamba), so a filtered list
// can be shared; without JavaScript the form stays hidden and the whole list shows.
(function () {
  "use strict";

  var revealed = 0;

  // Each toggle (<summary>) says what it controls and whether it is open: aria-controls names the
  // block it reveals, aria-expanded follows the <details>' toggle event.
  function initToggles() {
    var summaries = document.querySelectorAll("details.lp-reveal > summary, details.lp-more > summary");
    Array.prototype.forEach.call(summaries, function (summary) {
      var details = summary.parentNode;
      var block = summary.nextElementSibling;
      if (block) {
        if (!block.id) block.id = "lp-revealed-" + (revealed += 1);
        summary.setAttribute("aria-controls", block.id);
      }
      summary.setAttribute("aria-expanded", String(details.open));
    });
  }
  document.addEventListener("toggle", function (event) {  // toggle does not bubble: capture it
    var details = event.target;
    if (details.tagName !== "DETAILS") return;
    var summary = details.querySelector(":scope > summary");
    if (summary && summary.hasAttribute("aria-expanded")) summary.setAttribute("aria-expanded", String(details.open));
  }, true);

  function init() {
    initToggles();
    var form = document.querySelector("form.lp-filters");
    if (!form) return;
    var entries = Array.prototype.slice.call(document.querySelectorAll("li.lp-entry[data-year]"));
    var lists = Array.prototype.slice.call(document.querySelectorAll("ol.lp-list"));
    var output = form.querySelector(".lp-shown");
    var text = entries.map(function (entry) {
      var part = function (selector) {
        var node = entry.querySelector(selector);
        return node ? node.textContent : "";
      };
      return (part(".lp-title") + " " + part(".lp-authors") + " " + part(".lp-meta")).toLowerCase();
    });
    var has = function (list, value) { return (" " + list + " ").indexOf(" " + value + " ") >= 0; };

    var params = new URLSearchParams(window.location.search);
    if (window.labpubsQuery) {  // set aside in the page head, away from Material's search
      params.set("q", window.labpubsQuery);
      window.labpubsQuery = null;
    }
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && params.has(field.name)) field.value = params.get(field.name);
    });

    function apply() {
      var state = {};
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name && field.value) state[field.name] = field.value;
      });
      var words = (state.q || "").toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      entries.forEach(function (entry, i) {
        var data = entry.dataset;
        var ok = (!state.year || data.year === state.year) &&
          (!state.type || data.type === state.type) &&
          (!state.topic || has(data.topics, state.topic)) &&
          (!state.member || has(data.members, state.member)) &&
          (!state.venue || data.venue === state.venue) &&
          words.every(function (word) { return text[i].indexOf(word) >= 0; });
        entry.hidden = !ok;
        if (ok) shown += 1;
      });
      lists.forEach(function (list) {  // a year with nothing left loses its heading too
        var empty = !list.querySelector("li.lp-entry:not([hidden])");
        list.hidden = empty;
        var heading = list.previousElementSibling;
        if (heading && heading.tagName === "H2") heading.hidden = empty;
      });
      output.textContent = (output.dataset.pattern || "{shown} of {total} papers")
        .replace("{shown}", shown).replace("{total}", entries.length);
      var url = new URL(window.location.href);
      url.search = new URLSearchParams(state).toString();
      window.history.replaceState(window.history.state, "", url);
    }

    form.hidden = false;
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("reset", function () { window.setTimeout(apply); });
    apply();
  }

  // Material's instant navigation swaps pages without reloading: it announces each one on document$
  if (typeof document$ !== "undefined") document$.subscribe(init);
  else document.addEventListener("DOMContentLoaded", init);
})();
