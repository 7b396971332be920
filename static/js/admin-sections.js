// Give sections added with "Add another Section" the same live Markdown preview as the others.
// django-markdownx sets up editors once, on page load; a new row is a copy of the hidden
// template row, which is already marked as set up, so the mark is removed and markdownx's
// own script is run again to set up the new editor (editors already set up are skipped).
"use strict";
document.addEventListener("formset:added", function (event) {
    const editors = event.target.querySelectorAll(".markdownx-editor[data-markdownx-init]");
    if (!editors.length) {
        return;
    }
    editors.forEach(function (editor) { editor.removeAttribute("data-markdownx-init"); });
    const original = document.querySelector("script[src*='markdownx/js/markdownx']");
    if (original) {
        const again = document.createElement("script");
        again.src = original.src;
        document.body.appendChild(again);
    }
});
