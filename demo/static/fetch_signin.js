// Sign in with fetch + json=true: the answer carries {url, ok, status, error, session}.
document.getElementById("fetch-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const csrf = await (await fetch("/api/auth/csrf")).json();
  const body = new URLSearchParams({
    email: form.get("email"),
    password: form.get("password"),
    csrfToken: csrf.csrfToken,
    callbackUrl: "/dashboard",
    json: "true",
  });
  const response = await fetch("/api/auth/callback/credentials", { method: "POST", body });
  const result = await response.json();
  document.getElementById("fetch-result").textContent = result.ok
    ? `Signed in as ${result.session.user.email} (id ${result.session.user.id})`
    : `Sign-in failed: ${result.error}`;
});
