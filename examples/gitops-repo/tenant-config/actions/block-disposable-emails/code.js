// Pre User Registration: refuse sign-ups from throwaway e-mail domains.
const BLOCKED = new Set(['mailinator.com', 'guerrillamail.com', '10minutemail.com']);

exports.onExecutePreUserRegistration = async (event, api) => {
  const domain = (event.user.email || '').split('@').pop().toLowerCase();
  if (BLOCKED.has(domain)) {
    api.access.deny(`Disposable e-mail: ${domain}`, 'Please use a permanent address.');
  }
};
