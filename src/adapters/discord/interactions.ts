/**
 * Slash commands and buttons → Request → bot.handle → an interaction reply.
 *
 * Buttons (Sources, More, Related) answer with an ephemeral reply, seen only by whoever pressed: one
 * person's click must not rewrite an answer others are reading, nor add noise to the channel. A button on
 * a message that is already ephemeral updates that message in place instead, so private browsing does
 * not pile up messages.
 *
 * Each interaction has exactly one reply path: the answer is sent with reply() (or update()) when it is
 * ready within `deferAfterMs`; otherwise the interaction is deferred at that moment and the answer follows
 * through editReply(). So neither "already acknowledged" nor "unknown interaction" can come from here.
 */

import {
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  MessageFlags,
  PermissionFlagsBits,
} from "discord.js";
import { apologyReply } from "../../bot/replies.js";
import type { ChatRef, Input, Reply, UserRef } from "../../bot/types.js";
import { languageOfLocale } from "../../i18n/messages.js";
import { type DiscordContext, errorFields, isGroupDm, messageOptions, textField } from "./context.js";
import { ASK } from "./register.js";

/** Commands whose replies only the asker sees. Errors are ephemeral too (the bot marks them). */
const EPHEMERAL_COMMANDS = new Set(["help"]);

/** How an interaction is answered: a (possibly ephemeral) reply, or an update of the message it came from. */
type Mode = { readonly kind: "reply"; readonly ephemeral: boolean } | { readonly kind: "update" };

export const chatOf = (interaction: Interaction): ChatRef => ({
  platform: "discord",
  id: interaction.channelId ?? interaction.user.id,
  kind: interaction.guildId === null && !isGroupDm(interaction.channel?.type) ? "private" : "group",
});

export const userOf = (interaction: Interaction, chat: ChatRef): UserRef => ({
  id: interaction.user.id,
  name: interaction.user.displayName,
  canManageChat:
    chat.kind === "private" ||
    Boolean(interaction.memberPermissions?.has(PermissionFlagsBits.ManageChannels)),
});

/** Command options as the bot's argument string: the declared options' values, in order. */
const argsOf = (interaction: ChatInputCommandInteraction): string =>
  interaction.options.data
    .map((option) => (option.value === undefined ? "" : String(option.value)))
    .filter((value) => value !== "")
    .join(" ");

const commandInput = (interaction: ChatInputCommandInteraction): Input =>
  interaction.commandName === ASK.name
    ? { kind: "text", text: interaction.options.getString("question") ?? argsOf(interaction) }
    : { kind: "command", name: interaction.commandName, args: argsOf(interaction) };

export interface InteractionHandlers {
  onCommand(interaction: ChatInputCommandInteraction): Promise<void>;
  onButton(interaction: ButtonInteraction): Promise<void>;
}

export function interactionHandlers(context: DiscordContext, deferAfterMs: number): InteractionHandlers {
  const { bot, log } = context;

  /**
   * The one reply path of an interaction: reply (or update) when the answer is ready in time, otherwise
   * defer when `deferAfterMs` passes and send the answer through editReply.
   */
  const answerInteraction = async (
    interaction: ChatInputCommandInteraction | ButtonInteraction,
    mode: Mode,
    work: () => Promise<Reply>,
  ): Promise<void> => {
    const started = Date.now();
    let deferral: Promise<boolean> | undefined;
    const timer = setTimeout(() => {
      const defer =
        mode.kind === "update" && interaction.isButton()
          ? interaction.deferUpdate()
          : interaction.deferReply(
              mode.kind === "reply" && mode.ephemeral ? { flags: MessageFlags.Ephemeral } : {},
            );
      deferral = defer.then(
        () => true,
        (error: unknown) => {
          log.warn(
            { interaction: interaction.id, ...errorFields(context, error) },
            "discord: could not defer an interaction",
          );
          return false;
        },
      );
    }, deferAfterMs);
    let reply: Reply;
    try {
      reply = await work();
    } catch (error) {
      log.error(
        { interaction: interaction.id, ...errorFields(context, error) },
        "discord: the bot failed to answer",
      );
      reply = apologyReply(languageOfLocale(interaction.locale) ?? "en");
    } finally {
      clearTimeout(timer);
    }
    const body = messageOptions(reply);
    const ephemeral = mode.kind === "reply" && (mode.ephemeral || reply.ephemeral === true);
    const flags = ephemeral ? { flags: MessageFlags.Ephemeral as const } : {};
    try {
      if (deferral === undefined) {
        if (mode.kind === "update" && interaction.isButton()) await interaction.update(body);
        else await interaction.reply({ ...body, ...flags });
      } else {
        if (!(await deferral)) return; // the interaction is gone: nothing more can be sent for it
        if (mode.kind === "reply" && !mode.ephemeral && ephemeral) {
          // Deferred in public, but the answer is for the asker only: swap the placeholder for a private note.
          await interaction.deleteReply();
          await interaction.followUp({ ...body, ...flags });
        } else {
          await interaction.editReply(body);
        }
      }
      log.info(
        {
          interaction: interaction.id,
          tone: reply.tone,
          deferred: deferral !== undefined,
          ms: Date.now() - started,
        },
        "discord: answered an interaction",
      );
    } catch (error) {
      log.warn(
        { interaction: interaction.id, ...errorFields(context, error) },
        "discord: could not send an interaction reply",
      );
    }
  };

  return {
    async onCommand(interaction) {
      const chat = chatOf(interaction);
      const input = commandInput(interaction);
      log.info(
        {
          interaction: interaction.id,
          command: interaction.commandName,
          chat: chat.id,
          ...textField(
            context,
            input.kind === "text" ? input.text : input.kind === "command" ? input.args : "",
          ),
        },
        "discord: slash command",
      );
      const mode: Mode = { kind: "reply", ephemeral: EPHEMERAL_COMMANDS.has(interaction.commandName) };
      await answerInteraction(interaction, mode, () =>
        bot.handle({ chat, user: userOf(interaction, chat), input, locale: interaction.locale }),
      );
    },

    async onButton(interaction) {
      const chat = chatOf(interaction);
      log.info(
        { interaction: interaction.id, button: interaction.customId, chat: chat.id },
        "discord: button",
      );
      const onEphemeral = interaction.message.flags.has(MessageFlags.Ephemeral);
      const mode: Mode = onEphemeral ? { kind: "update" } : { kind: "reply", ephemeral: true };
      await answerInteraction(interaction, mode, () =>
        bot.handle({
          chat,
          user: userOf(interaction, chat),
          input: { kind: "action", data: interaction.customId },
          locale: interaction.locale,
        }),
      );
    },
  };
}
