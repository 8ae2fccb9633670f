module.exports = function (user, context, cb) {
  const geo = context.request.geoip || {};
  const blocked = (context.webtask.secrets.BLOCKED_COUNTRIES || '').split(',');
  if (blocked.indexOf(geo.country_code) !== -1) {
    return cb(new PreUserRegistrationError(`country ${geo.country_code}`, `Registration from ${geo.country_name} is not available.`));
  }
  const response = { user: { user_metadata: { country: geo.country_code, language: context.requestLanguage } } };
  cb(null, response);
};
