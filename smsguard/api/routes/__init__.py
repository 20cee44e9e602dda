"""The API's routers, one module per part of the library; each only translates."""
