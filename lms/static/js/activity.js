// Time on a module: while this tab is visible and the learner has been active in the last minute
// (pointer, keys, scrolling, a video playing), tell the server every 30 seconds that they are still
// here. The server measures the time itself and caps each report; this script sends no times.
(function () {
  "use strict";
  const page = document.querySelector("[data-time-url]");
  if (!page) {
    return;
  }
  const INTERVAL = 30000;
  const IDLE = 60000;
  let lastActive = Date.now();

  function active() {
    lastActive = Date.now();
  }
  ["pointermove", "pointerdown", "keydown", "scroll", "wheel", "touchstart"].forEach(function (name) {
    window.addEventListener(name, active, {passive: true});
  });

  function playing() {
    return Array.prototype.some.call(document.querySelectorAll("video"), function (video) {
      return !video.paused && !video.ended;
    });
  }

  function ping() {
    if (document.visibilityState !== "visible") {
      return;
    }
    if (Date.now() - lastActive > IDLE && !playing()) {
      return;
    }
    fetch(page.dataset.timeUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRFToken": page.dataset.csrf},
      keepalive: true,
    }).catch(function () { /* a lost report only loses its own half minute */ });
  }

  ping();  // starts a stretch: the server counts from here
  window.setInterval(ping, INTERVAL);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      active();
      ping();
    }
  });
}());
