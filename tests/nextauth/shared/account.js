// What both Next.js test apps share: the one account, from the environment (the test creates
// it in the Flask store and passes its id, as if both apps had one user table), and the jwt
// callback docs/nextjs.md asks for.

export async function authorize(credentials) {
  const user = JSON.parse(process.env.TEST_USER);
  const matches =
    credentials?.email === user.email && credentials?.password === process.env.TEST_PASSWORD;
  return matches ? { id: user.id, name: user.name, email: user.email } : null;
}

export const credentials = {
  email: { label: "Email" },
  password: { label: "Password", type: "password" },
};

// flask-authjs's sign-out-everywhere compares auth_time with the user's revocation time.
export async function jwt({ token, user }) {
  if (user) token.auth_time = Math.floor(Date.now() / 1000);
  return token;
}
