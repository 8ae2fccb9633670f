const DISPOSABLE = ['mailinator.com', 'trashmail.com', '10minutemail.com'];

module.exports = function (user, context, cb) {
  const domain = (user.email || '').split('@').pop().toLowerCase();
  if (DISPOSABLE.includes(domain)) {
    return cb(new PreUserRegistrationError(
      `disposable domain ${domain} for ${user.email}`,
      `Sign-ups with ${domain} addresses are not accepted.`
    ));
  }
  cb(null, { user: {} });
};
