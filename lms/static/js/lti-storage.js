// LTI platform storage (1EdTech "LTI Client Side postMessages" and "OIDC Login with
// LTI Client Side postMessages"), for launches in a frame that may not keep cookies.
//
// data-mode="put" (the login): keep the login's secret (data-value) in the platform's
// storage, then go on to the platform's OIDC endpoint (data-next). data-mode="get" (the
// launch): read the secret back and post it to NordLearn, which signs in only if it is
// this browser's. When the platform's storage does not answer, the page shows the link
// that opens NordLearn in a window of its own instead (#lti-restart).
// Messages go only to data-origin, the platform's; answers from anywhere else are ignored.
(function () {
  "use strict";
  const element = document.getElementById("lti-storage");
  if (!element) {
    return;
  }
  const data = element.dataset;
  const host = window.parent !== window ? window.parent : window.opener;
  let frame = null;
  try {
    frame = host && (data.target === "_parent" ? host : host.frames[data.target]);
  } catch (error) {
    frame = null;
  }
  const messageId = (window.crypto && window.crypto.randomUUID)
    ? window.crypto.randomUUID() : String(Date.now()) + String(Math.random()).slice(2);
  let finished = false;

  function finish(value) {
    if (finished) {
      return;
    }
    finished = true;
    if (data.mode === "put") {
      window.location.assign(data.next);  // the state cookie may still carry the launch
    } else if (value) {
      element.elements.binding.value = value;
      element.submit();
    } else {
      element.hidden = true;
      const restart = document.getElementById("lti-restart");
      if (restart) {
        restart.hidden = false;
      }
    }
  }

  window.addEventListener("message", function (event) {
    const answer = event.data;
    if (event.origin !== data.origin || !answer || typeof answer !== "object") {
      return;
    }
    if (answer.message_id !== messageId || answer.subject !== "lti." + data.mode + "_data.response") {
      return;
    }
    finish(answer.error ? null : answer.value);
  });

  if (!frame) {
    finish(null);
    return;
  }
  const message = {subject: "lti." + data.mode + "_data", message_id: messageId, key: data.key};
  if (data.mode === "put") {
    message.value = data.value;
  }
  frame.postMessage(message, data.origin);
  window.setTimeout(function () { finish(null); }, 3000);
})();
