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
  return { status: response.status, headers: response.headers, text, json: parsedJson(text) };
}

/** The JSON value of an answer's text, or undefined when it is not JSON. */
export function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
