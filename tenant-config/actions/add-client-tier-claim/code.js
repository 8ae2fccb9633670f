/**
 * Credentials Exchange: the Actions successor of the add-api-claims hook. Adds the client's
 * tier (from client metadata) as a namespaced claim, and keeps admin scopes away from partners.
 */
const NAMESPACE = '##CLAIM_NAMESPACE##'; // filled at deploy time, e.g. https://example.com/

exports.onExecuteCredentialsExchange = async (event, api) => {
  const metadata = event.client.metadata || {};
  const tier = metadata.tier || 'free';
  api.accessToken.setCustomClaim(`${NAMESPACE}tier`, tier);
  api.accessToken.setCustomClaim(`${NAMESPACE}client_name`, event.client.name);

  // Partners must never receive admin scopes, even if someone grants them by mistake.
  if (tier === 'partner') {
    for (const scope of event.transaction.requested_scopes || []) {
      if (scope.startsWith('admin:')) api.accessToken.removeScope(scope);
    }
  }
};
