// Reports which parts of each recorded lecture the learner has played (the player's own
// `played` ranges, so seeking back and forth counts once), every 10 seconds while playing
// and when playback pauses or ends. The server decides how much of it to credit.
(function () {
  "use strict";
  const content = document.querySelector(".module-content[data-watch-url]");
  if (!content) {
    return;
  }
  content.querySelectorAll("video[data-video]").forEach(function (video) {
    const name = video.dataset.video.replace(/^media\//, "");
    const status = document.querySelector('[data-watch-status="' + CSS.escape(name) + '"]');
    let sent = 0;

    function report() {
      const ranges = [];
      for (let i = 0; i < video.played.length; i += 1) {
        ranges.push([video.played.start(i), video.played.end(i)]);
      }
      if (!ranges.length) {
        return;
      }
      sent = Date.now();
      fetch(content.dataset.watchUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": content.dataset.csrf},
        body: JSON.stringify({video: name, ranges: ranges}),
        keepalive: true,
      }).then(function (answer) {
        return answer.ok ? answer.json() : null;
      }).then(function (data) {
        if (data && data.label && status) {
          status.textContent = data.label;
        }
      }).catch(function () { /* the next report carries the same ranges */ });
    }

    video.addEventListener("timeupdate", function () {
      if (Date.now() - sent > 10000) {
        report();
      }
    });
    video.addEventListener("pause", report);
    video.addEventListener("ended", report);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        report();
      }
    });
  });
})();
