// Trial clients may not write; remove the write scope from their tokens.
const WRITE_SCOPE = 'write:orders';

module.exports = function (client, scope, audience, context, callback) {
  const plan = (client.metadata || {}).plan || 'trial';
  if (plan === 'trial' && Array.isArray(scope)) {
    const index = scope.indexOf(WRITE_SCOPE);
    if (index !== -1) {
      scope.splice(index, 1);
    }
  }
  callback(null, { scope, 'https://acme.test/plan': plan });
};
