// The session as auth() sees it in a server component (which cannot re-issue the cookie;
// GET /api/auth/session does).
import { auth } from "../../auth";

export const dynamic = "force-dynamic";

export default async function Me() {
  const session = await auth();
  return (
    <main>
      <h1>{session ? `Next.js: signed in as ${session.user.email}` : "Next.js: signed out"}</h1>
      <pre id="session">{JSON.stringify(session)}</pre>
    </main>
  );
}
