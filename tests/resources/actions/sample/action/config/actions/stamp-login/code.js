// Conformance sample: a deployed action, not bound.
exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('https://conformance.example.com/stamp', event.secrets.STAMP_KEY.length);
};
