// next-auth 4 with the credentials provider and JWT sessions.
import NextAuth from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { authorize, credentials, jwt } from "../../../../shared/account.js";

export const authOptions = {
  secret: process.env.NEXTAUTH_SECRET,
  session: { strategy: "jwt" },
  providers: [CredentialsProvider({ name: "Credentials", credentials, authorize })],
  callbacks: { jwt },
};

export default NextAuth(authOptions);
