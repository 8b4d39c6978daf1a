"""Three REST APIs (stage `prod`), Lambda proxy integrations on explicit resources and methods."""

from __future__ import annotations

from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_lambda as lambda_
from constructs import Construct


class SwnApiGateway(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, product_function: lambda_.IFunction,
                 basket_function: lambda_.IFunction, ordering_function: lambda_.IFunction) -> None:
        super().__init__(scope, construct_id)
        self.product_api = self._api("productApi", "Product Service", product_function, {
            "product": ["GET", "POST"], "product/{id}": ["GET", "PUT", "DELETE"]})
        self.basket_api = self._api("basketApi", "Basket Service", basket_function, {
            "basket": ["GET", "POST"], "basket/{userName}": ["GET", "DELETE"], "basket/checkout": ["POST"]})
        self.order_api = self._api("orderApi", "Order Service", ordering_function, {
            "order": ["GET"], "order/{userName}": ["GET"]})

    def _api(self, construct_id: str, name: str, function: lambda_.IFunction,
             routes: dict[str, list[str]]) -> apigateway.LambdaRestApi:
        api = apigateway.LambdaRestApi(self, construct_id, rest_api_name=name, handler=function, proxy=False,
                                       cloud_watch_role=False)
        api.node.try_remove_child("Endpoint")  # the stack has its own outputs, with plain names
        for path, methods in routes.items():
            resource = api.root.resource_for_path(path)
            for method in methods:
                resource.add_method(method)  # the API's default integration: Lambda proxy to `function`
        return api
