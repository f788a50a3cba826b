"""The HTTPS data plane: API stage URLs and custom domains served from moto's API Gateway model."""
