// The built-in pages' passkey buttons (sign-in page, account page), over client.js.
// A file, not an inline script, so pages under a Content-Security-Policy of 'self' work.
(function () {
  "use strict";

  function show(message) {
    var box = document.getElementById("authjs-passkey-error");
    if (!box) return;
    box.hidden = false;
    (box.querySelector("p, span") || box).textContent = message;
  }

  var MESSAGES = {
    NotAllowedError: "The passkey request was cancelled or not allowed.",
    WebAuthnUnsupported: "This browser does not support passkeys.",
    WebAuthnVerificationError: "The passkey could not be verified. Please try again.",
    TooManyAttempts: "Too many attempts. Please wait a few minutes and try again.",
  };

  function describe(result) {
    return MESSAGES[result && result.error] || "The passkey did not work. Please try again.";
  }

  var signInButton = document.getElementById("authjs-passkey-signin");
  if (signInButton) {
    signInButton.addEventListener("click", async function () {
      var result = await window.AuthJS.signIn(signInButton.dataset.provider, {
        callbackUrl: signInButton.dataset.callbackUrl || undefined,
        redirect: false,
      });
      if (result && (result.ok || result.error === "TwoFactorRequired") && result.url) {
        window.location.href = result.url;
      } else {
        show(describe(result));
      }
    });
  }

  var registerButton = document.getElementById("authjs-passkey-register");
  if (registerButton) {
    registerButton.addEventListener("click", async function () {
      var nameInput = document.getElementById("authjs-passkey-name");
      var result = await window.AuthJS.registerPasskey({
        provider: registerButton.dataset.provider,
        name: nameInput ? nameInput.value : "",
      });
      if (result.ok) {
        window.location.reload();
      } else {
        show(describe(result));
      }
    });
  }
})();
