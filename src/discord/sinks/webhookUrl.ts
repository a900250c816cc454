/**
 * Reads a Discord webhook URL (`https://<any host>/api[/v10]/webhooks/<id>/<token>`) into its id
 * and token. The host is ignored: requests go to the configured API base. Errors never echo the URL.
 */

export interface WebhookCredentials {
  id: string;
  token: string;
}

const WEBHOOK_PATH = /^\/api(?:\/v\d+)?\/webhooks\/(\d{15,21})\/([A-Za-z0-9_.-]+)\/?$/;

export function parseWebhookUrl(url: string): WebhookCredentials {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new Error('webhook URL is not a URL (expected https://discord.com/api/webhooks/<id>/<token>)');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`webhook URL must be http(s), not ${parsed.protocol.replace(/:$/, '')}`);
  }
  const match = WEBHOOK_PATH.exec(parsed.pathname);
  if (!match) {
    throw new Error(`webhook URL on ${parsed.host} does not have the form https://<host>/api/webhooks/<id>/<token>`);
  }
  return { id: match[1]!, token: match[2]! };
}
