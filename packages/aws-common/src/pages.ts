/**
 * Every page of a NextToken-paged AWS call, the first without a token; `call` gets the token
 * as the fields to spread into its command input (none on the first page).
 */
export async function* awsPages<Page extends { NextToken?: string }>(
  call: (next: { NextToken?: string }) => Promise<Page>,
): AsyncGenerator<Page> {
  let token: string | undefined
  do {
    const page = await call(token ? { NextToken: token } : {})
    yield page
    token = page.NextToken
  } while (token)
}
