// Sign in with flask-authjs's client (served at /api/auth/client.js): redirect:false resolves
// with {error, status, ok, url, session}, so the page has the user id at once. The result
// is announced to screen readers (role="status") and worded for people, not as a code.
const MESSAGES = {
  CredentialsSignin: "Wrong email or password. Check them and try again.",
  TooManyAttempts: "Too many attempts. Wait a few minutes, then try again.",
  MissingCSRF: "This page expired. Reload it and try again.",
  StoreUnavailable: "The sign-in service is busy. Try again in a few seconds.",
};

document.getElementById("fetch-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const output = document.getElementById("fetch-result");
  output.className = "result";
  output.textContent = "Signing in…";
  const result = await AuthJS.signIn("credentials", {
    email: form.get("email"),
    password: form.get("password"),
    callbackUrl: "/dashboard",
    redirect: false,
  });
  output.className = result.ok ? "result notice" : "result error";
  output.textContent = result.ok
    ? `Signed in as ${result.session.user.email} (id ${result.session.user.id}).`
    : MESSAGES[result.error] || "Sign-in failed. Please try again.";
});
