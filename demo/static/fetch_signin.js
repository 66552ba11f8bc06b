// Sign in with flask-authjs's client (served at /api/auth/client.js): redirect:false resolves
// with {error, status, ok, url, session}, so the page has the user id at once.
document.getElementById("fetch-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const result = await AuthJS.signIn("credentials", {
    email: form.get("email"),
    password: form.get("password"),
    callbackUrl: "/dashboard",
    redirect: false,
  });
  document.getElementById("fetch-result").textContent = result.ok
    ? `Signed in as ${result.session.user.email} (id ${result.session.user.id})`
    : `Sign-in failed: ${result.error}`;
});
