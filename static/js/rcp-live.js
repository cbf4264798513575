// Keyboard shortcuts of the live RCP session (documented on the page):
// n = next dossier, p = previous, s = focus the quick proposition. None of them changes a dossier: postponing
// goes through its button and a confirmation. Single-key shortcuts can be switched off (WCAG 2.1.4); the choice
// is remembered in this browser.
(function () {
  "use strict";
  var STORAGE_KEY = "dcc-live-shortcuts";
  var toggle = document.getElementById("live-shortcuts-toggle");
  function enabled() {
    try {
      return window.localStorage.getItem(STORAGE_KEY) !== "off";
    } catch (error) {
      return toggle ? toggle.checked : true;
    }
  }
  function remember(on) {
    try {
      window.localStorage.setItem(STORAGE_KEY, on ? "on" : "off");
    } catch (error) {
      // Private browsing without storage: the switch still works for this page.
    }
  }
  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }
  function submit(id) {
    var form = document.getElementById(id);
    if (form) {
      form.requestSubmit();
    }
  }
  function publish() {
    document.documentElement.dataset.liveShortcuts = enabled() ? "ready" : "off";
  }
  if (toggle) {
    toggle.checked = enabled();
    toggle.addEventListener("change", function () {
      remember(toggle.checked);
      publish();
    });
  }
  document.addEventListener("keydown", function (event) {
    if (!enabled() || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    if (event.key === "n") {
      submit("live-next");
    } else if (event.key === "p") {
      submit("live-prev");
    } else if (event.key === "s") {
      var field = document.getElementById("id_treatment_1");
      if (field) {
        event.preventDefault();
        field.focus();
      }
    }
  });
  // Lets tests (and assistive tooling) know whether the shortcuts are active.
  publish();
})();
