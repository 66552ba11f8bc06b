// Auth.js v5 (next-auth 5 beta, installed as `next-auth-5`) with the credentials provider and
// JWT sessions.
import NextAuth from "next-auth-5";
import Credentials from "next-auth-5/providers/credentials";
import { authorize, credentials, jwt } from "../shared/account.js";

export const { handlers, auth } = NextAuth({
  trustHost: true,
  session: { strategy: "jwt" },
  providers: [Credentials({ credentials, authorize })],
  callbacks: { jwt },
});
