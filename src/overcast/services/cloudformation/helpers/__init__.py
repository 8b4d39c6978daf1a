"""Helper modules AWS adds next to inline function code (Code.ZipFile): `cfnresponse.py` for
Python, `cfn-response.js` (below) for Node.js."""

CFN_RESPONSE_JS = r"""// The `cfn-response` module AWS adds next to inline (Code.ZipFile) Node.js functions.
exports.SUCCESS = "SUCCESS";
exports.FAILED = "FAILED";

exports.send = function (event, context, responseStatus, responseData, physicalResourceId, noEcho) {
  return new Promise((resolve) => {
    const body = JSON.stringify({
      Status: responseStatus,
      Reason: "See the details in CloudWatch Log Stream: " + context.logStreamName,
      PhysicalResourceId: physicalResourceId || context.logStreamName,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      NoEcho: noEcho || false,
      Data: responseData,
    });
    const url = new URL(event.ResponseURL);
    const http = require(url.protocol === "https:" ? "https" : "http");
    const request = http.request(
      { hostname: url.hostname, port: url.port, path: url.pathname + url.search, method: "PUT",
        headers: { "content-type": "", "content-length": Buffer.byteLength(body) } },
      (response) => { response.resume(); response.on("end", () => { resolve(); context.done(); }); });
    request.on("error", (error) => { console.log("send(..) failed executing https.request(..): " + error); resolve(); context.done(); });
    request.write(body);
    request.end();
  });
};
"""
