// The orval mutator: orval's documented way to give its fetch client a base URL (the generated functions
// call elizaFetch<Result>(path, init) with a path only, which Node's fetch cannot resolve). It behaves like
// orval's built-in fetch body handling (JSON-parse a non-empty body; 204/205/304 have none), except that a
// body that is not JSON (the text/event-stream of stream_message) is kept as the text the generated type
// (`string`) says; orval's built-in code would JSON.parse it and throw.
//
// The one cast in this consumer is here, in the `as T` every orval mutator ends with (the generated
// functions without a mutator end with the same cast): the mutator is generic over the result type.
const baseUrl = process.env["ELIZA_BASE_URL"] ?? "";

export const elizaFetch = async <T>(url: string, init: RequestInit): Promise<T> => {
  const res = await fetch(new URL(url, baseUrl), init);
  const body = [204, 205, 304].includes(res.status) ? "" : await res.text();
  const json = /[/+]json\b/.test(res.headers.get("content-type") ?? "");
  const data = body && json ? JSON.parse(body) : body;
  return { data, status: res.status, headers: res.headers } as T;
};
