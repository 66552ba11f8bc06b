// next-auth 4 with the credentials provider and JWT sessions: the settings docs/nextjs.md asks
// for. The one account comes from the environment (the test creates it in the Flask store and
// passes its id), as if both apps shared the user table.
import NextAuth from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";

export const authOptions = {
  secret: process.env.NEXTAUTH_SECRET,
  session: { strategy: "jwt" },
  providers: [
    CredentialsProvider({
      name: "Credentials",
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
};

export default NextAuth(authOptions);
