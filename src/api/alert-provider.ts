// The AlertProvider kind (flagger.app/v1beta1): a chat notification target.
import { Type, type Static } from 'typebox';
import { ObjectMetaSchema, type ObjectMeta } from './object-meta.ts';
import { StringEnum, anyOfRequired } from './schema-kit.ts';

export const ALERT_PROVIDER_TYPES = ['slack', 'msteams', 'discord', 'rocket', 'gchat'] as const;

export type AlertProviderType = (typeof ALERT_PROVIDER_TYPES)[number];

export const AlertProviderSpecSchema = Type.Object(
  {
    type: StringEnum(ALERT_PROVIDER_TYPES, { description: 'Chat service.' }),
    channel: Type.Optional(Type.String({ description: 'Channel (default general).' })),
    username: Type.Optional(Type.String({ description: 'Bot user name (default flagger).' })),
    address: Type.Optional(Type.String({ description: 'Webhook URL.' })),
    proxy: Type.Optional(Type.String({ description: 'HTTP(S) proxy URL.' })),
    // Extension (docs/extensions.md); Flagger always sends its own text.
    messageTemplate: Type.Optional(
      Type.String({
        description:
          'Alert text template (extension): {{ name }}, {{ namespace }}, {{ phase }}, {{ target }}, {{ weight }}, ' +
          '{{ failedChecks }}, {{ severity }}, {{ message }}; the default text is sent when it fails.',
      }),
    ),
    secretRef: Type.Optional(
      Type.Object(
        { name: Type.String() },
        { description: 'Secret with the webhook URL (key address) and an optional token.' },
      ),
    ),
  },
  {
    description: 'Desired state of an AlertProvider.',
    // Flagger's CRD: oneOf [type, address] | [type, secretRef], which rejects Flagger's own documented example
    // that sets both (its code then uses the secret's address). Extension: anyOf, so that example is accepted
    // and means what Flagger's code does with it; every object Flagger's CRD accepts still passes.
    ...anyOfRequired(['address'], ['secretRef']),
  },
);

// Status: declared in Flagger's Go type, never written, and absent from its CRD schema.
export const AlertProviderSchema = Type.Object(
  {
    apiVersion: Type.Optional(Type.String()),
    kind: Type.Optional(Type.String()),
    metadata: Type.Optional(ObjectMetaSchema()),
    spec: Type.Optional(AlertProviderSpecSchema),
  },
  { description: 'Where canary alerts are sent.' },
);

export type AlertProviderSpec = Static<typeof AlertProviderSpecSchema>;

/** As for Canary: the type requires the metadata and spec that every served object has. */
export type AlertProvider = Omit<Static<typeof AlertProviderSchema>, 'metadata' | 'spec'> & {
  metadata: ObjectMeta;
  spec: AlertProviderSpec;
};
