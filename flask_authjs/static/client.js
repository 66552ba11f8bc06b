/* flask-authjs browser client: window.AuthJS = {signIn, signOut, getSession, getCsrfToken,
 * getProviders, registerPasskey}, with the semantics of next-auth/react 4 and no dependencies.
 *
 *   <script src="/api/auth/client.js"></script>
 *   const result = await AuthJS.signIn("credentials", {email, password, redirect: false});
 *   // {error, status, ok, url, session}: `session` (ok only) is our addition
 *
 * The base path is read from this script's own URL. Beyond upstream: signIn() with
 * redirect:false and no (or an unknown) provider resolves with an error instead of going to
 * the sign-in page, because on a custom sign-in page that navigation is a loop. And it
 * navigates only to an http(s) URL the server answered with: when the server refuses
 * (a 400 without a url), it stays put and resolves with the error, where upstream would
 * fall back to the caller's callbackUrl (which a page may have copied from its query).
 * Passkeys use the browser's own PublicKeyCredential.parse*OptionsFromJSON / toJSON:
 *   await AuthJS.signIn("passkey");                    // sign in with a passkey
 *   // options.mediation: "conditional" (autofill; pass options.signal to abort it)
 *   await AuthJS.registerPasskey({name: "Laptop"});    // add one (signed in)
 * A first factor answered with error "TwoFactorRequired" continues at its `url` (the code
 * page); with redirect:false that url is returned instead.
 * Docs: docs/pages-and-clients.md, docs/passkeys-and-2fa.md. */
(function () {
  "use strict";
  var script = document.currentScript;
  var basePath = script
    ? new URL(script.src, location.href).pathname.replace(/\/client\.js$/, "")
    : "/api/auth";

  // GET {base}/<path> as JSON; null when empty ({}), failed or not JSON (as upstream).
  async function getJson(path) {
    try {
      var response = await fetch(basePath + "/" + path, { headers: { Accept: "application/json" } });
      var data = await response.json();
      if (!response.ok) throw data;
      return data && Object.keys(data).length ? data : null;
    } catch (error) {
      console.error("[flask-authjs] GET " + basePath + "/" + path + " failed", error);
      return null;
    }
  }

  // A response and its JSON body ({} when empty or not JSON).
  async function answered(response) {
    var data = {};
    try {
      data = (await response.json()) || {};
    } catch (notJson) {
      data = {};
    }
    return { response: response, data: data };
  }

  // POST form fields, asking for {url, ok, status, error[, session]} instead of a redirect.
  async function post(url, fields) {
    var response = await fetch(url, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Auth-Return-Redirect": "1",
        Accept: "application/json",
      },
      body: new URLSearchParams(fields),
    });
    return answered(response);
  }

  // The server's answer URL if it is one to follow (http or https), else null.
  function serverUrl(data) {
    var url = data.url;
    if (typeof url !== "string" || !url) return null;
    try {
      var protocol = new URL(url, location.href).protocol;
      return protocol === "https:" || protocol === "http:" ? url : null;
    } catch (notUrl) {
      return null;
    }
  }

  // What a refused request resolves with when there is nowhere (safe) to go.
  function refused(answer) {
    return { error: answer.data.error || "RequestFailed", status: answer.response.status, ok: false, url: null };
  }

  function go(url) {
    window.location.href = url;
    if (url.indexOf("#") !== -1) window.location.reload();
  }

  function errorIn(url) {
    try {
      return new URL(url, location.href).searchParams.get("error");
    } catch (notUrl) {
      return null;
    }
  }

  function getSession() {
    return getJson("session");
  }

  async function getCsrfToken() {
    var data = await getJson("csrf");
    return data ? data.csrfToken : undefined;
  }

  function getProviders() {
    return getJson("providers");
  }

  async function signIn(provider, options, authorizationParams) {
    options = options || {};
    var callbackUrl = options.callbackUrl || location.href;
    var redirect = options.redirect !== false;
    var providers = await getProviders();
    if (!providers) {
      go(basePath + "/error");
      return undefined;
    }
    if (!provider || !Object.prototype.hasOwnProperty.call(providers, provider)) {
      if (redirect) {
        go(basePath + "/signin?" + new URLSearchParams({ callbackUrl: callbackUrl }));
        return undefined;
      }
      console.error(
        "[flask-authjs] signIn() needs a provider id with redirect:false, e.g. " +
          'signIn("credentials", {...}); known: ' + Object.keys(providers).join(", ")
      );
      return { error: provider ? "UnknownProvider" : "ProviderRequired", status: 400, ok: false, url: null };
    }
    var type = providers[provider].type;
    var answer;
    if (type === "webauthn") {
      var done = await ceremony(provider, "authenticate", { callbackUrl: callbackUrl }, function (publicKey) {
        return navigator.credentials.get({ publicKey: publicKey, mediation: options.mediation, signal: options.signal });
      });
      if (done.failed) return done.failed;
      answer = done.answer;
    } else {
      var url = basePath + "/" + (type === "credentials" ? "callback" : "signin") + "/" + encodeURIComponent(provider);
      if (authorizationParams) url += "?" + new URLSearchParams(authorizationParams);
      var fields = Object.assign({}, options, {
        csrfToken: await getCsrfToken(),
        callbackUrl: callbackUrl,
        json: "true",
      });
      delete fields.redirect;
      answer = await post(url, fields);
    }
    var data = answer.data;
    var target = serverUrl(data);
    if (redirect || (type !== "credentials" && type !== "email" && type !== "webauthn")) {
      if (!target) return refused(answer);
      go(target);
      return undefined;
    }
    var error = data.error || errorIn(target);
    var result = {
      error: error || null,
      status: answer.response.status,
      ok: answer.response.ok,
      // TwoFactorRequired keeps its url: the code page that finishes the sign-in.
      url: error && error !== "TwoFactorRequired" ? null : target,
    };
    if (answer.response.ok) result.session = data.session || (await getSession());
    return result;
  }

  // GET {base}/webauthn-options/<id>?action=...: {action, options} and the challenge cookie.
  async function webauthnOptions(provider, action) {
    var response = await fetch(
      basePath + "/webauthn-options/" + encodeURIComponent(provider) + "?action=" + action,
      { headers: { Accept: "application/json" } }
    );
    return answered(response);
  }

  function failure(error, status) {
    return { error: error, status: status, ok: false, url: null };
  }

  // One WebAuthn ceremony: the server's options, the browser's answer (askBrowser), posted
  // back to {base}/callback/<id>. Resolves {failed: result} or {answer}.
  async function ceremony(provider, action, fields, askBrowser) {
    var parse = action === "register" ? "parseCreationOptionsFromJSON" : "parseRequestOptionsFromJSON";
    if (!window.PublicKeyCredential || !PublicKeyCredential[parse]) {
      return { failed: failure("WebAuthnUnsupported", 0) };
    }
    var got = await webauthnOptions(provider, action);
    if (!got.response.ok) {
      return { failed: failure(got.data.error || "WebAuthnVerificationError", got.response.status) };
    }
    var credential;
    try {
      credential = await askBrowser(PublicKeyCredential[parse](got.data.options));
    } catch (refused) {
      console.error("[flask-authjs] the browser refused the passkey (" + action + ")", refused);
      return { failed: failure(refused.name || "NotAllowedError", 0) };
    }
    var answer = await post(
      basePath + "/callback/" + encodeURIComponent(provider),
      Object.assign(
        { action: action, data: JSON.stringify(credential.toJSON()), csrfToken: await getCsrfToken(), json: "true" },
        fields
      )
    );
    return { answer: answer };
  }

  // Add a passkey to the signed-in user's account: {ok, error, status, passkey}.
  async function registerPasskey(options) {
    options = options || {};
    var done = await ceremony(options.provider || "passkey", "register", { name: options.name || "" }, function (publicKey) {
      return navigator.credentials.create({ publicKey: publicKey });
    });
    if (done.failed) return done.failed;
    var answer = done.answer;
    return {
      error: answer.data.error || null,
      status: answer.response.status,
      ok: answer.response.ok,
      passkey: answer.data.passkey || null,
    };
  }

  async function signOut(options) {
    options = options || {};
    var callbackUrl = options.callbackUrl || location.href;
    var answer = await post(basePath + "/signout", {
      csrfToken: await getCsrfToken(),
      callbackUrl: callbackUrl,
      json: "true",
    });
    var target = serverUrl(answer.data);
    if (options.redirect !== false) {
      if (!target) return refused(answer);
      go(target);
      return undefined;
    }
    return Object.assign({}, answer.data, { url: target });
  }

  window.AuthJS = {
    basePath: basePath,
    signIn: signIn,
    signOut: signOut,
    getSession: getSession,
    getCsrfToken: getCsrfToken,
    getProviders: getProviders,
    registerPasskey: registerPasskey,
  };
})();
