// An ES-module dependency that does not load (Jest's CommonJS mode on a Node.js that has require()
// of ES modules) must say what needs it and how to fix it: a new user on Node 20.20 was told to
// upgrade Node.js by the CEL library's error, while jose's said to let Jest transform it.
import { WebhookConfigurationError } from './errors';
import { requireEsModule } from './es-module-dependency';

describe('requireEsModule', () => {
  const underJest = () => {
    throw new SyntaxError('Cannot use import statement outside a module');
  };

  it.each([
    ['@marcbachmann/cel-js', 'Declarative challenge rules need the CEL library'],
    ['jose', 'JWT-signed webhooks need'],
  ])('names %s, what needs it, the Jest set-up and the cause', (name, neededFor) => {
    let thrown: unknown;
    try {
      requireEsModule(name, underJest, neededFor);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(WebhookConfigurationError);
    const message = (thrown as Error).message;
    expect(message).toContain(`${neededFor} ${name}`);
    expect(message).toContain(`under Jest, let it be transformed: see the README's "Testing your webhooks"`);
    expect(message).toContain('(Cannot use import statement outside a module)');
  });

  it('returns the module when it loads', () => {
    expect(requireEsModule<{ ok: boolean }>('x', () => ({ ok: true }), 'Tests need')).toEqual({ ok: true });
  });
});
