// The session as getServerSession sees it (it also re-issues the session cookie).
import { getServerSession } from "next-auth/next";
import { authOptions } from "./api/auth/[...nextauth]";

export async function getServerSideProps({ req, res }) {
  const session = await getServerSession(req, res, authOptions);
  return { props: { session: session ?? null } };
}

export default function Me({ session }) {
  return (
    <main>
      <h1>{session ? `Next.js: signed in as ${session.user.email}` : "Next.js: signed out"}</h1>
      <pre id="session">{JSON.stringify(session)}</pre>
    </main>
  );
}
