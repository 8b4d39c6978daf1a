"""The `cfnresponse` module AWS adds next to inline (`Code.ZipFile`) Python functions: a custom
resource handler calls `send(...)` to answer CloudFormation on the event's pre-signed ResponseURL."""

import json
import urllib.request

SUCCESS = "SUCCESS"
FAILED = "FAILED"


def send(event, context, responseStatus, responseData, physicalResourceId=None, noEcho=False, reason=None):
    body = {
        "Status": responseStatus,
        "Reason": reason or f"See the details in CloudWatch Log Stream: {context.log_stream_name}",
        "PhysicalResourceId": physicalResourceId or context.log_stream_name,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "NoEcho": noEcho,
        "Data": responseData,
    }
    data = json.dumps(body).encode()
    print("Response body:\n" + data.decode())
    request = urllib.request.Request(event["ResponseURL"], data=data, method="PUT",
                                     headers={"content-type": "", "content-length": str(len(data))})
    try:
        with urllib.request.urlopen(request) as response:
            print("Status code: " + str(response.status))
    except Exception as exc:  # as AWS's module does: report, don't raise
        print("send(..) failed executing http.request(..): " + str(exc))
