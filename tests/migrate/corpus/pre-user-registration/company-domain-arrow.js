module.exports = (user, context, cb) => {
  const { email, username } = user;
  const allowed = context.webtask.secrets.COMPANY_DOMAIN;
  if (!email || !email.endsWith('@' + allowed)) {
    cb(new PreUserRegistrationError('outside domain', `Only ${allowed} accounts may register.`));
    return;
  }
  cb(null, { user: { user_metadata: { display_name: username || email } } });
};
