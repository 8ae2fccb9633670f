const validator = require("./node_modules/validator@13.7.0");

module.exports = function (user, context, cb) {
  if (!validator.isEmail(user.email || '')) {
    return cb(new PreUserRegistrationError('bad email', 'Please use a valid email address.'));
  }
  if (user.phoneNumber && !validator.isMobilePhone(user.phoneNumber)) {
    return cb(new PreUserRegistrationError('bad phone', 'Please use a valid phone number.'));
  }
  cb(null, { user: { user_metadata: { phone: user.phoneNumber || null } } });
};
