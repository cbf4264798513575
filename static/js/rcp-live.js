// Keyboard shortcuts of the live RCP session (documented on the page):
// n = next dossier, p = previous, r = postpone the current dossier, s = focus the quick proposition.
(function () {
  "use strict";
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
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    if (event.key === "n") {
      submit("live-next");
    } else if (event.key === "p") {
      submit("live-prev");
    } else if (event.key === "r") {
      submit("live-postpone");
    } else if (event.key === "s") {
      var field = document.getElementById("id_treatment_1");
      if (field) {
        event.preventDefault();
        field.focus();
      }
    } else {
      return;
    }
  });
  // Lets tests (and assistive tooling) know the shortcuts are active.
  document.documentElement.dataset.liveShortcuts = "ready";
})();
