// Auth.js v5 (next-auth 5 beta, installed as `next-auth-5`) with the credentials provider and
// JWT sessions. The one account comes from the environment, as in ../nextapp.
import NextAuth from "next-auth-5";
import Credentials from "next-auth-5/providers/credentials";

export const { handlers, auth } = NextAuth({
  trustHost: true,
  session: { strategy: "jwt" },
  providers: [
    Credentials({
      credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials) {
        const user = JSON.parse(process.env.TEST_USER);
        const matches =
          credentials?.email === user.email && credentials?.password === process.env.TEST_PASSWORD;
        return matches ? { id: user.id, name: user.name, email: user.email } : null;
      },
    }),
  ],
  callbacks: {
    // flask-authjs's sign-out-everywhere compares this with the user's revocation time.
    async jwt({ token, user }) {
      if (user) token.auth_time = Math.floor(Date.now() / 1000);
      return token;
    },
  },
});
