import { isFormType, isJsonType, isParsedMediaType } from './media-types';

describe('isParsedMediaType', () => {
  it.each([
    'application/json',
    'Application/JSON; charset=utf-8',
    'application/vnd.api+json',
    'application/x-www-form-urlencoded',
    'text/plain',
    'text/xml',
    'application/octet-stream',
  ])('keeps the raw bytes of %s', (type) => {
    expect(isParsedMediaType(type)).toBe(true);
  });

  it.each([
    'application/xml',
    'multipart/form-data; boundary=x',
    'application/+json',
    'application/jsonx',
    '',
    undefined,
    ['application/json', 'application/json'],
  ])('keeps no raw bytes of %p', (type) => {
    expect(isParsedMediaType(type)).toBe(false);
  });
});

describe('isFormType / isJsonType', () => {
  it('reads a form type with or without parameters, and nothing longer', () => {
    expect(isFormType('application/x-www-form-urlencoded')).toBe(true);
    expect(isFormType('application/x-www-form-urlencoded ; charset=utf-8')).toBe(true);
    expect(isFormType('application/x-www-form-urlencodedx')).toBe(false);
    expect(isFormType(undefined)).toBe(false);
  });

  it('reads JSON and +json types', () => {
    expect(isJsonType('application/json')).toBe(true);
    expect(isJsonType('application/cloudevents+json; charset=utf-8')).toBe(true);
    expect(isJsonType('text/json')).toBe(false);
    expect(isJsonType(['application/json'])).toBe(false);
  });
});
