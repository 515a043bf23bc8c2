import { splitTemplate, TemplateSyntaxError } from './template';

describe('splitTemplate', () => {
  it('keeps text without placeholders as one piece', () => {
    expect(splitTemplate('plain text')).toEqual([{ text: 'plain text' }]);
    expect(splitTemplate('')).toEqual([]);
  });

  it('splits placeholders with their offsets', () => {
    expect(splitTemplate('a{{ x }}b{{y}}')).toEqual([
      { text: 'a' },
      { source: ' x ', offset: 3, placeholderOffset: 1 },
      { text: 'b' },
      { source: 'y', offset: 11, placeholderOffset: 9 },
    ]);
  });

  it('does not close a placeholder on "}}" inside a CEL string', () => {
    expect(splitTemplate('{{ "}}" + \'}}\' }}!')).toEqual([
      { source: ' "}}" + \'}}\' ', offset: 2, placeholderOffset: 0 },
      { text: '!' },
    ]);
    expect(splitTemplate('{{ "a\\"}}" }}')).toEqual([{ source: ' "a\\"}}" ', offset: 2, placeholderOffset: 0 }]);
  });

  it('lets "{{" be written as a CEL string', () => {
    expect(splitTemplate('{{ "{{" }}')).toEqual([{ source: ' "{{" ', offset: 2, placeholderOffset: 0 }]);
  });

  it('reports an unterminated placeholder with its offset', () => {
    expect(() => splitTemplate('ok {{ x')).toThrow(TemplateSyntaxError);
    try {
      splitTemplate('ok {{ "}}');
    } catch (error) {
      expect((error as TemplateSyntaxError).offset).toBe(3);
    }
    expect.assertions(2);
  });
});
