var AWS = require('aws-sdk@2.1400.0');

module.exports = function (recipient, text, context, cb) {
  var sns = new AWS.SNS({
    apiVersion: '2010-03-31',
    region: context.webtask.secrets.AWS_REGION,
    accessKeyId: context.webtask.secrets.AWS_ACCESS_KEY_ID,
    secretAccessKey: context.webtask.secrets.AWS_SECRET_ACCESS_KEY
  });
  sns.publish({ Message: text, PhoneNumber: recipient }, function (err) {
    if (err) return cb(err);
    cb(null, {});
  });
};
