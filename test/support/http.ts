/** A real HTTP request to the app under test, answered as status, headers and parsed body. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export async function send(
  baseUrl: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<HttpAnswer> {
  const response = await fetch(baseUrl + path, {
    method: init.method ?? 'POST',
    headers: init.headers,
    body: init.body,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
