"""API tokens: obtained with a username and password, listed and revoked by their owner or an administrator."""

from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.api.serializers import ApiTokenSerializer, TokenIssuedSerializer, TokenRequestSerializer
from accounts.filters import ApiTokenFilterSet
from accounts.forms import CODE_REQUIRED
from accounts.lockout import LOCKED_OUT_STATUS, lockout_message
from accounts.models import ApiToken
from accounts.two_factor import two_factor_enabled, two_factor_required, two_factor_verify
from hms.pagination import KeysetPagination

LOCKED_OUT = OpenApiResponse(
    description="Too many failed logins for this username or from this address: the login is locked for "
    "AXES_COOLOFF_TIME (default 15 minutes) or until an administrator unlocks it. "
    '`{"detail": "...", "code": "locked_out"}`.'
)


TWO_FACTOR_SETUP = OpenApiResponse(
    description="The user's role must sign in with two factors (TWO_FACTOR_REQUIRED_ROLES) and they have not "
    'turned it on yet (on the web, /account/two-factor/). `{"detail": "...", "code": "two_factor_setup_required"}`.'
)


@method_decorator(never_cache, name="dispatch")  # the answer holds a key
class ObtainTokenView(APIView):
    """Log in with a username and password (and, with two-factor sign-in on, ``otp``: a current code) and get a
    new API token (valid for API_TOKEN_LIFETIME_HOURS).

    Each call issues another token; name it (``name``) to tell your tokens apart in the list."""

    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = TokenRequestSerializer

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenIssuedSerializer, 403: TWO_FACTOR_SETUP, LOCKED_OUT_STATUS: LOCKED_OUT},
        auth=[],
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # The Django request, so django-axes counts the failure and AxesMiddleware sees a lockout.
        user = authenticate(
            request._request, username=data.validated_data["username"], password=data.validated_data["password"]
        )
        if getattr(request._request, "axes_locked_out", False):
            return Response({"detail": lockout_message(), "code": "locked_out"}, status=LOCKED_OUT_STATUS)
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to log in with provided credentials."]}, code="authorization"
            )
        if two_factor_enabled(user):
            if two_factor_verify(user=user, code=data.validated_data["otp"]) is None:
                raise serializers.ValidationError({"otp": [CODE_REQUIRED]}, code="otp_required")
        elif two_factor_required(user):
            return Response(
                {
                    "detail": "Your role signs in with two factors: turn it on at /account/two-factor/ first.",
                    "code": "two_factor_setup_required",
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        token, key = services.token_issue(user=user, name=data.validated_data["name"])
        return Response(
            {"token": key, "id": token.pk, "name": token.name, "expires_at": token.expires_at},
            status=status.HTTP_200_OK,
        )


class TokenListView(generics.ListAPIView):
    """Your API tokens, newest first, live and dead (an administrator sees everyone's)."""

    serializer_class = ApiTokenSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = KeysetPagination
    filterset_class = ApiTokenFilterSet
    filter_backends = [DjangoFilterBackend]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator's request has no user
            return ApiToken.objects.none()
        return selectors.token_list(user=self.request.user)


class TokenRevokeView(APIView):
    """Revoke a token (its owner or an administrator). The token stays listed, with who revoked it and when."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: ApiTokenSerializer})
    def post(self, request, pk):
        token = get_object_or_404(selectors.token_list(user=request.user), pk=pk)
        token = services.token_revoke(token=token, acting_user=request.user)
        return Response(ApiTokenSerializer(token).data)
