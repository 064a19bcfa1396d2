/*
 * Article pages (scripts/write.py, overrides/partials/cite-box.html).
 *
 * - 复制: a button.cite-copy[data-format=F] copies the text of pre.cite-text[data-format=F] of
 *   the same box (navigator.clipboard, else a hidden <textarea> and execCommand) and says 已复制.
 * - The citation texts are built with the build day as access date and, when mkdocs.yml has no
 *   site_url, with the site-relative path a/<id>/ as URL: span.cite-date becomes the reader's
 *   day and span.cite-url[data-relative] the address the reader sees (on http/https only).
 *
 * No request, no dependency; works with and without Material's instant navigation.
 */
(function () {
  "use strict";

  var COPIED = "已复制";
  var FAILED = "复制失败，请手动选择文字";

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function today(sep) {
    var d = new Date();
    return [d.getFullYear(), pad(d.getMonth() + 1), pad(d.getDate())].join(sep || "-");
  }

  function pageAddress() {
    var url = window.location.href.split("#")[0].split("?")[0];
    return url.replace(/\/index\.html$/, "/");
  }

  function refresh(root) {
    var dates = root.querySelectorAll("pre.cite-text span.cite-date");
    for (var i = 0; i < dates.length; i++) {
      dates[i].textContent = today(dates[i].getAttribute("data-sep"));
    }
    if (!/^https?:$/.test(window.location.protocol)) {
      return;
    }
    var urls = root.querySelectorAll("pre.cite-text span.cite-url[data-relative]");
    for (var j = 0; j < urls.length; j++) {
      urls[j].textContent = pageAddress();
    }
  }

  function copyWithTextarea(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "0";
    area.style.left = "0";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (e) {
      ok = false;
    }
    document.body.removeChild(area);
    return ok;
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        if (!copyWithTextarea(text)) {
          throw new Error("copy failed");
        }
      });
    }
    return copyWithTextarea(text) ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  function say(button, message) {
    if (!button.hasAttribute("data-label")) {
      button.setAttribute("data-label", button.textContent);
    }
    button.textContent = message;
    button.classList.toggle("cite-copied", message === COPIED);
    clearTimeout(button._archiveTimer);
    button._archiveTimer = setTimeout(function () {
      button.textContent = button.getAttribute("data-label");
      button.classList.remove("cite-copied");
    }, 2000);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.cite-copy") : null;
    if (!button) {
      return;
    }
    var box = button.closest(".cite-box") || document;
    var format = button.getAttribute("data-format");
    var pre = null;
    var pres = box.querySelectorAll("pre.cite-text");
    for (var i = 0; i < pres.length; i++) {
      if (pres[i].getAttribute("data-format") === format) {
        pre = pres[i];
      }
    }
    if (!pre) {
      return;
    }
    copy(pre.textContent).then(function () {
      say(button, COPIED);
    }, function () {
      say(button, FAILED);
      var range = document.createRange();
      range.selectNodeContents(pre);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    });
  });

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(function () {
      refresh(document);
    });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      refresh(document);
    });
  } else {
    refresh(document);
  }
})();
