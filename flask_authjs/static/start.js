// sign_in("<oauth provider>") from a Flask view: submit the start form at once (a file, not
// an inline script, so pages under a Content-Security-Policy of 'self' work too).
document.getElementById("authjs-start").submit();
